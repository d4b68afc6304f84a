/** A file of a tar archive: a path, mode and content, or a symlink. */
export interface TarEntry {
  path: string;
  mode: number;
  content?: Buffer;
  /** Makes the entry a directory. */
  dir?: boolean;
}

const block = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

/**
 * A POSIX ustar archive of `entries`, pure: enough for `docker import` of a one-binary root
 * filesystem (the pause image), without a tar library or the tar command.
 */
export function writeTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const content = e.dir ? Buffer.alloc(0) : (e.content ?? Buffer.alloc(0));
    const h = Buffer.alloc(block);
    h.write(e.path + (e.dir && !e.path.endsWith("/") ? "/" : ""), 0, 100, "utf8");
    h.write(octal(e.mode, 8), 100, "ascii");
    h.write(octal(0, 8), 108, "ascii");
    h.write(octal(0, 8), 116, "ascii");
    h.write(octal(content.length, 12), 124, "ascii");
    h.write(octal(0, 12), 136, "ascii");
    h.write("        ", 148, "ascii");
    h.write(e.dir ? "5" : "0", 156, "ascii");
    h.write("ustar\0", 257, "ascii");
    h.write("00", 263, "ascii");
    let sum = 0;
    for (const b of h) sum += b;
    h.write(octal(sum, 7) + " ", 148, "ascii");
    parts.push(h, content, Buffer.alloc((block - (content.length % block)) % block));
  }
  parts.push(Buffer.alloc(block * 2));
  return Buffer.concat(parts);
}
