/** The ECS task metadata endpoint (v3/v4) and task role credentials on 169.254.170.2 (docs/TASK-METADATA.md). */
export { startTaskMetadataEndpoint, type TaskMetadataEndpoint, type TaskMetadataOptions } from "./endpoint.js";
export { EndpointTokens, loadEndpointTokens, routeOfId } from "./tokens.js";
export { metadataAddress, metadataEnvironment, parseMetadataPath, type MetadataRequest, type MetadataEnvironment } from "./paths.js";
export { containerDocument, taskDocument, credentialsDocument, type MetadataContext } from "./documents.js";
export { answerMetadata, type MetadataSource, type MetadataReply } from "./answer.js";
export { HeldCredentials } from "./held-credentials.js";
export { backendSocket, backendSocketDir } from "./backend-socket.js";
