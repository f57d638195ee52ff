/**
 * Progress on stderr while a run goes on: one rewritten line on a terminal,
 * a line per step otherwise (CI logs), so stdout keeps only the report.
 */
export interface ProgressWriter {
  write(image: string, message: string): void;
  done(): void;
}

export function progressWriter(stream: NodeJS.WriteStream = process.stderr): ProgressWriter {
  const began = performance.now();
  let open = false;
  const elapsed = () => `${((performance.now() - began) / 1000).toFixed(1)} s`;
  return {
    write(image, message) {
      const line = `[${elapsed()}] ${image}: ${message}`;
      if (stream.isTTY) {
        const width = stream.columns ?? 100;
        stream.write(`\r\u001b[2K${line.slice(0, width - 1)}`);
        open = true;
      } else stream.write(`${line}\n`);
    },
    done() {
      if (open) stream.write("\r\u001b[2K");
      open = false;
    },
  };
}
