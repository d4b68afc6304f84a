import { InvalidParameterException } from "@berth/shared";

/**
 * A setting the agent cannot start with. `key` is the option name (or the environment variable
 * when the value never got as far as an option); the message starts with it so the operator
 * sees which line of which source to fix.
 */
export class ConfigError extends InvalidParameterException {
  override name = "ConfigError";
  constructor(readonly key: string, problem: string, options?: { cause?: unknown }) {
    super(`${key}: ${problem}`, options);
  }
}
