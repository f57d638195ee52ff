import { describe, expect, it } from "vitest";
import { parseAddress, parseEmulatorArgs } from "../../src/emulator/config.js";
import { UserError } from "../../src/errors.js";

const parse = (argv: string[], env: Record<string, string> = {}) => {
  const config = parseEmulatorArgs(argv, env);
  if (config === "help") throw new Error("help");
  return config;
};

describe("emulator configuration", () => {
  it("defaults to a new function's settings, not RIE's", () => {
    const config = parse(["--", "node", "index.mjs"]);
    expect(config.timeoutMs).toBe(3000);
    expect(config.memoryMb).toBe(128);
    expect(config.invokeAddress).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(config.environments).toBe(1);
    expect(config.functionName).toBe("function");
    expect(config.command).toEqual(["node", "index.mjs"]);
    expect(config.initAtStart).toBe(false);
  });

  it("takes RIE's environment variables, and flags over them", () => {
    const env = {
      AWS_LAMBDA_FUNCTION_TIMEOUT: "900",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "10240",
      AWS_LAMBDA_FUNCTION_NAME: "orders",
      LOG_LEVEL: "DEBUG",
      _HANDLER: "app.handler",
      AWS_REGION: "eu-west-1",
    };
    const config = parse(["--", "bootstrap"], env);
    expect(config).toMatchObject({
      timeoutMs: 900_000,
      memoryMb: 10_240,
      functionName: "orders",
      logLevel: "debug",
      handler: "app.handler",
      region: "eu-west-1",
    });
    expect(parse(["--timeout", "7", "--", "bootstrap"], env).timeoutMs).toBe(7000);
  });

  it("accepts RIE's flags", () => {
    const config = parse([
      "--runtime-interface-emulator-address",
      "0.0.0.0:9000",
      "--runtime-api-address",
      "127.0.0.1:9001",
      "--log-level",
      "warn",
      "--",
      "x",
    ]);
    expect(config.invokeAddress).toEqual({ host: "0.0.0.0", port: 9000 });
    expect(config.runtimeApiAddress).toEqual({ host: "127.0.0.1", port: 9001 });
    expect(config.logLevel).toBe("warn");
  });

  it.each([
    [["--timeout", "0"], '--timeout="0"'],
    [["--timeout", "900.5"], '--timeout="900.5"'],
    [["--timeout=-3"], '--timeout="-3"'],
    [["--memory", "10241"], '--memory="10241"'],
    [["--memory", "127"], '--memory="127"'],
    [["--environments", "0"], '--environments="0"'],
  ])("refuses %j with a message that names the source and the range", (argv, source) => {
    try {
      parse([...argv, "--", "x"]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe("EMULATOR_OUT_OF_RANGE");
      expect((error as UserError).message).toContain(source);
      expect((error as UserError).message).toMatch(/from \d+ to \d+/);
    }
  });

  it.each(["9000", "host:", ":99999", "a:b:c"])("refuses the address %s", (text) => {
    expect(() => parseAddress(text, "--x")).toThrow(/is not HOST:PORT/);
  });

  it("reads IPv6 and empty hosts", () => {
    expect(parseAddress("[::1]:8080", "x")).toEqual({ host: "::1", port: 8080 });
    expect(parseAddress(":8080", "x")).toEqual({ host: "127.0.0.1", port: 8080 });
  });

  it("refuses an unknown log level", () => {
    expect(() => parse(["--log-level", "loud", "--", "x"])).toThrow(/log level "loud"/);
  });
});
