/** The awslogs driver: containers' output shipped to the control plane's CloudWatch Logs store. */
export { AwslogsShipper, cursorFileName, type AwslogsShipperOptions } from "./shipper.js";
export { awslogsLabel, awslogsTarget, decodeAwslogsLabel, encodeAwslogsLabel, type AwslogsTarget } from "./target.js";
export { nextLine, resumeAt, sinceMsOf, startCursor, type CursorReader, type LogCursor } from "./cursor.js";
export { withAwslogsStart, type StreamInit } from "./start-check.js";
