/** A small path router: templates with `{name}` segments, static segments winning over parameters. */
export interface RouteMatch<T> {
  template: string;
  data: T;
  params: Record<string, string>;
}

interface Compiled<T> {
  method: string;
  template: string;
  segments: { value: string; param: boolean }[];
  params: number;
  data: T;
}

export class Router<T> {
  private readonly bySize = new Map<number, Compiled<T>[]>();

  add(method: string, template: string, data: T): this {
    const segments = template
      .split("/")
      .map((s) => (s.startsWith("{") && s.endsWith("}") ? { value: s.slice(1, -1), param: true } : { value: s, param: false }));
    const route: Compiled<T> = { method, template, segments, params: segments.filter((s) => s.param).length, data };
    const list = this.bySize.get(segments.length) ?? [];
    list.push(route);
    list.sort((a, b) => a.params - b.params);
    this.bySize.set(segments.length, list);
    return this;
  }

  /** The matching route; `methodNotAllowed` when the path exists for other methods only. */
  match(method: string, path: string): RouteMatch<T> | { methodNotAllowed: true } | undefined {
    const parts = path.split("/");
    const candidates = this.bySize.get(parts.length);
    if (!candidates) return undefined;
    let pathExists = false;
    for (const route of candidates) {
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i]!;
        const part = parts[i]!;
        if (seg.param) {
          if (part === "") {
            ok = false;
            break;
          }
          try {
            params[seg.value] = decodeURIComponent(part);
          } catch {
            ok = false;
            break;
          }
        } else if (seg.value !== part) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (route.method !== method) {
        pathExists = true;
        continue;
      }
      return { template: route.template, data: route.data, params };
    }
    return pathExists ? { methodNotAllowed: true } : undefined;
  }
}
