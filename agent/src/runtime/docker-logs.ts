import type Docker from "dockerode";
import { dockerSince, FrameDemuxer, LineSplitter, type DecodedLogLine, type LogStreamName } from "./log-frames.js";
import type { ContainerLogOptions, ContainerLogReader, ContainerLogSink } from "./types.js";

/**
 * Reads one container's log through the Engine API (`GET /containers/{id}/logs` with
 * timestamps), decoding Docker's stdout/stderr frames (none for a TTY container) into lines.
 * The answer ends when the log has been read (without `follow`), or when the container stops
 * or the reader is closed (with it).
 */
export async function openDockerLog(docker: Docker, containerId: string, opts: ContainerLogOptions, sink: ContainerLogSink): Promise<ContainerLogReader> {
  const container = docker.getContainer(containerId);
  const tty = Boolean((await container.inspect()).Config?.Tty);
  const demux = new FrameDemuxer();
  const splitters: Record<LogStreamName, LineSplitter> = { stdout: new LineSplitter("stdout"), stderr: new LineSplitter("stderr") };
  const decode = (chunk: Buffer): DecodedLogLine[] =>
    tty ? splitters.stdout.push(chunk) : demux.push(chunk).flatMap((f) => splitters[f.stream].push(f.data));
  const rest = () => [...splitters.stdout.flush(), ...splitters.stderr.flush()];
  const params = {
    stdout: true,
    stderr: true,
    timestamps: true,
    ...(opts.sinceMs > 0 ? { since: dockerSince(opts.sinceMs) } : {}),
    ...(opts.tail > 0 ? { tail: opts.tail } : {}),
  };
  let ended = false;
  const end = (error?: string) => {
    if (ended) return;
    ended = true;
    const last = rest();
    if (last.length) sink.lines(last);
    sink.end(error);
  };
  // Dialled directly rather than through container.logs(), which buffers the whole answer in
  // memory without `follow`: as a stream, both modes pause while the session has no room.
  const stream = await new Promise<NodeJS.ReadableStream & { destroy(): void }>((resolve, reject) =>
    docker.modem.dial(
      {
        path: `/containers/${containerId}/logs?`,
        method: "GET",
        isStream: true,
        statusCodes: { 200: true, 404: "no such container", 500: "server error" },
        options: { ...params, follow: opts.follow },
      },
      (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as NodeJS.ReadableStream & { destroy(): void })),
    ),
  );
  stream.on("data", (chunk: Buffer) => {
    if (ended) return;
    const lines = decode(chunk);
    if (lines.length) sink.lines(lines);
  });
  stream.on("end", () => end());
  stream.on("close", () => end());
  stream.on("error", (err: Error) => end(`reading the container's log failed: ${err.message}`));
  return {
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    close: () => {
      stream.destroy();
      end();
    },
  };
}
