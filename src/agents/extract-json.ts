/** The JSON an agent answered with: the last fenced json block, else the whole text. */
export function extractJson(text: string): unknown {
  const blocks = [...text.matchAll(/```json[^\n]*\n([\s\S]*?)\n```/g)];
  const candidate = blocks.length ? (blocks[blocks.length - 1]?.[1] ?? "") : text.trim();
  return JSON.parse(candidate);
}
