import type { CoreContext } from "../../../core/index.js";

/** One ECS action: validated input in, response body out. */
export type ActionHandler = (ctx: CoreContext, input: any) => Promise<object>;

/** The actions a module serves, by ECS action name. */
export type ActionTable = Record<string, ActionHandler>;
