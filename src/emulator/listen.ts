import type { Server } from "node:http";
import { SystemError, UserError } from "../errors.js";

/** Binds a server, turning "address in use" into an error a person can act on. */
export function listenOn(server: Server, host: string, port: number, flag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (error.code === "EADDRINUSE") {
        reject(
          new UserError(
            "EMULATOR_PORT_IN_USE",
            `${host}:${port} is already in use.`,
            `stop what listens there or choose another port with ${flag}.`,
          ),
        );
      } else if (error.code === "EACCES") {
        reject(
          new UserError(
            "EMULATOR_PORT_DENIED",
            `binding ${host}:${port} is not permitted.`,
            `choose a port above 1023 with ${flag}.`,
          ),
        );
      } else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
        reject(
          new UserError(
            "EMULATOR_BAD_ADDRESS",
            `${host} is not an address of this machine.`,
            `use 127.0.0.1 or 0.0.0.0 with ${flag}.`,
          ),
        );
      } else {
        reject(
          new SystemError("EMULATOR_LISTEN_FAILED", `cannot listen on ${host}:${port}: ${error.message}`),
        );
      }
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}
