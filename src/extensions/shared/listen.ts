import type { Server } from "node:http";

/** Listens on 127.0.0.1 only: these listeners serve the execution environment, never the network. */
export function listenLocal(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}
