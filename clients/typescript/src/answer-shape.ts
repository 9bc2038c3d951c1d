// Whether an answer has the shape the document promises: the top-level type, and each
// required field present with one of its JSON types (integers whole, numbers finite, an
// array's items checked in turn). Read from src/shapes.ts, generated from the document.
import { SHAPES, type JsonType, type ShapeName } from "./shapes.js";

function typeOf(value: unknown): JsonType | "other" {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "string":
      return "string";
    case "boolean":
      return "boolean";
    case "object":
      return "object";
    case "number":
      // JSON.parse reads 1e999 as Infinity: no number the API sends.
      if (!Number.isFinite(value)) return "other";
      return Number.isInteger(value) ? "integer" : "number";
    default:
      return "other";
  }
}

function fits(value: unknown, types: readonly JsonType[]): boolean {
  const type = typeOf(value);
  return type !== "other" && (types.includes(type) || (type === "integer" && types.includes("number")));
}

/** What is wrong with `value` as a `shape` (`at` names where), or undefined when nothing is. */
export function shapeProblem(shape: ShapeName, value: unknown, at: string): string | undefined {
  if (typeOf(value) !== "object") return `${at} is ${typeOf(value)}, not an object (${shape})`;
  const object = value as Record<string, unknown>;
  for (const [field, { types, items }] of Object.entries(SHAPES[shape])) {
    if (!(field in object)) return `${at} has no ${field} (${shape})`;
    const fieldValue = object[field];
    if (!fits(fieldValue, types)) {
      return `${at}.${field} is ${typeOf(fieldValue)}, not ${types.join(" or ")} (${shape})`;
    }
    if (items && Array.isArray(fieldValue)) {
      const problem = listProblem(items, fieldValue, `${at}.${field}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** What is wrong with `value` as an array of `shape`, or undefined. */
export function listProblem(shape: ShapeName, value: unknown, at: string): string | undefined {
  if (!Array.isArray(value)) return `${at} is ${typeOf(value)}, not an array of ${shape}`;
  for (const [index, item] of value.entries()) {
    const problem = shapeProblem(shape, item, `${at}[${index}]`);
    if (problem) return problem;
  }
  return undefined;
}
