// One line naming the machine, the Node version and the date, for every table.
import os from "node:os";

export function machine() {
  const cpus = os.cpus();
  const memGiB = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${cpus.length} × ${cpus[0]?.model ?? "cpu"}, ${memGiB} GiB, ${os.type()} ${os.release()}, Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
