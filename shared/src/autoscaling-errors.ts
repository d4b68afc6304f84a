import { BerthError } from "./errors.js";

// Application Auto Scaling's error types (its JSON 1.1 API, answered with HTTP 400).

// ValidationException, shared with the other non-ECS APIs, is in errors.ts.

/** Application Auto Scaling: the scalable target or policy named does not exist. */
export class ObjectNotFoundException extends BerthError {
  override name = "ObjectNotFoundException";
  readonly ecsType = "ObjectNotFoundException";
}
