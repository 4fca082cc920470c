import type { Stack } from "@pulumi/pulumi/automation";

export interface OpenedStack {
  stack: Stack;
  envVars: Record<string, string>;
  engine: { binDir: string; pulumi: string; version: string; source: string };
}

export function openStack(options: {
  projectDir: string;
  stackName: string;
  stateDir: string;
  passphrase?: string;
  env?: Record<string, string>;
}): Promise<OpenedStack>;

export function configureForSimulator(
  stack: Stack,
  sim: { issuer: string; apiBaseUrl: string; orgs: readonly { orgno: string; adminClientId: string; adminKey: object }[] },
  profiles: Record<string, string>,
): Promise<void>;
