import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Checks that a file is structurally an ONNX model before onnxruntime sees it.
 *
 * onnxruntime inside sherpa-onnx aborts the whole process (an uncaught C++ exception) when it
 * is handed a file it cannot parse, so a truncated download or a wrong file would take every call
 * down with it. Walking the top level of the protobuf is cheap (a few reads, however large the
 * model) and rejects junk, truncation and non-ONNX files with a message instead.
 *
 *   ModelProto (protobuf, top level):  tag = (field << 3) | wireType, as a varint
 *     field 1  ir_version   varint      (required here)
 *     field 7  graph        bytes       (required here)
 *     others   producer, opset_import, metadata...: skipped by wire type
 *
 * Returns undefined when the file looks like a model, else the reason it does not.
 */
export function checkOnnxModel(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return `cannot open it (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
  try {
    const sizeBytes = fstatSync(fd).size;
    if (sizeBytes === 0) return 'the file is empty';
    const header = Buffer.alloc(24);
    let position = 0;
    let sawIrVersion = false;
    let sawGraph = false;
    while (position < sizeBytes) {
      const available = readSync(fd, header, 0, header.length, position);
      const tag = readVarint(header, 0, available);
      if (tag === undefined) return `not an ONNX model (bad protobuf tag at byte ${position})`;
      const field = Math.floor(tag.value / 8);
      const wireType = tag.value % 8;
      if (field === 0) return `not an ONNX model (field 0 at byte ${position})`;
      let next = position + tag.length;
      if (wireType === 0) {
        const value = readVarint(header, tag.length, available);
        if (value === undefined) return `not an ONNX model (bad varint at byte ${position})`;
        next += value.length;
        if (field === 1) sawIrVersion = true;
      } else if (wireType === 2) {
        const length = readVarint(header, tag.length, available);
        if (length === undefined) return `not an ONNX model (bad length at byte ${position})`;
        next += length.length + length.value;
        if (field === 7) sawGraph = true;
      } else if (wireType === 1) {
        next += 8;
      } else if (wireType === 5) {
        next += 4;
      } else {
        return `not an ONNX model (wire type ${wireType} at byte ${position})`;
      }
      if (next > sizeBytes)
        return `truncated: a field at byte ${position} runs past the end (${sizeBytes} bytes)`;
      position = next;
    }
    if (!sawIrVersion || !sawGraph) return 'not an ONNX model (no ir_version or graph)';
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function readVarint(
  bytes: Buffer,
  start: number,
  end: number,
): { readonly value: number; readonly length: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = start; i < end && i < start + 10; i++) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0)
      return Number.isSafeInteger(value) ? { value, length: i - start + 1 } : undefined;
    scale *= 128;
  }
  return undefined;
}
