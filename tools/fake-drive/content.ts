/** What a binary file holds, and its bytes as a layout: a generated image, generated filler, or given bytes. */
import { imageSize } from "image-size";
import { imageLayout, imageMediaMetadata, type ImageMediaMetadata, type ImageSpec } from "./images.ts";
import { FILLER, planFiller, revisionTag, TAG_LENGTH, type ContentLayout } from "./layout.ts";

export type FileContent =
  | { kind: "image"; spec: ImageSpec; size: number }
  | { kind: "filler"; size: number }
  | { kind: "bytes"; bytes: Buffer };

/** Clockwise quarter turns for each EXIF Orientation value (mirrored ones count as their rotation). */
const ROTATION_FOR_ORIENTATION: Record<number, number> = { 1: 0, 2: 0, 3: 2, 4: 2, 5: 1, 6: 1, 7: 3, 8: 3 };

/** Size in bytes of a content. */
export function contentSize(content: FileContent): number {
  return content.kind === "bytes" ? content.bytes.length : content.size;
}

/**
 * The bytes of one revision of a file, named by `revisionSeed`. `corrupt` gives other bytes of the same
 * size and look: what the fake serves when a fault asks for a wrong md5.
 */
export function contentLayout(content: FileContent, revisionSeed: string, corrupt = false): ContentLayout {
  const tagSeed = corrupt ? `${revisionSeed}\ncorrupt` : revisionSeed;
  switch (content.kind) {
    case "image":
      return imageLayout(content.spec, content.size, tagSeed);
    case "filler":
      return fillerLayout(content.size, tagSeed);
    case "bytes": {
      const bytes = corrupt ? flipLastByte(content.bytes) : content.bytes;
      return { size: bytes.length, prefixKey: "", prefix: [], tail: bytes };
    }
  }
}

/** imageMediaMetadata for a content, when it is an image Drive would describe. */
export function contentImageMetadata(content: FileContent): Readonly<ImageMediaMetadata> | undefined {
  if (content.kind === "image") return imageMediaMetadata(content.spec);
  if (content.kind !== "bytes") return undefined;
  try {
    const { width, height, orientation } = imageSize(content.bytes);
    return { width, height, rotation: ROTATION_FOR_ORIENTATION[orientation ?? 1] ?? 0 };
  } catch {
    return undefined; // not an image
  }
}

function fillerLayout(size: number, tagSeed: string): ContentLayout {
  const tag = revisionTag(tagSeed);
  if (size <= TAG_LENGTH) return { size, prefixKey: "", prefix: [], tail: tag.subarray(0, size) };
  const plan = planFiller(size - TAG_LENGTH, 1, FILLER.length);
  return {
    size,
    prefixKey: `filler|${size}`,
    prefix: [
      { bytes: FILLER, repeat: plan.whole },
      ...plan.partial.map((length) => ({ bytes: FILLER.subarray(0, length), repeat: 1 })),
    ],
    tail: tag,
  };
}

function flipLastByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  if (copy.length > 0) copy[copy.length - 1] = copy[copy.length - 1]! ^ 0xff;
  return copy;
}
