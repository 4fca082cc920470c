// The program under test: yours. This one makes a client with a generated key.
import * as maskinporten from "pulumi-maskinporten";

const client = new maskinporten.Client("app", { clientName: "my-app", scopes: ["difitest:open"] });
const key = new maskinporten.ClientKey("app-key", { clientId: client.clientId, generate: {} });

export const clientId = client.clientId;
export const kid = key.kid;
