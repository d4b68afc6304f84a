import { BerthError } from "./errors.js";

// Application Auto Scaling's error types (its JSON 1.1 API, answered with HTTP 400).

/** Application Auto Scaling: a parameter is malformed or names a value it refuses (field named in the message). */
export class ValidationException extends BerthError {
  override name = "ValidationException";
  readonly ecsType = "ValidationException";
}

/** Application Auto Scaling: the scalable target or policy named does not exist. */
export class ObjectNotFoundException extends BerthError {
  override name = "ObjectNotFoundException";
  readonly ecsType = "ObjectNotFoundException";
}
