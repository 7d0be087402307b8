/**
 * Words for matching an issue to files and lessons: lower-case, camelCase and snake_case
 * split, three letters or more, without the English words every issue uses.
 */
const STOPWORDS = new Set(
  "the and for with that this from into when what where which will would should could make makes made say says said add adds use uses using can not but are was were has have had its our your their them they then than there here also only just more most some such very each every other about after before over under all any new one two get set let var const function return import export true false null undefined".split(
    " ",
  ),
);

export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && !STOPWORDS.has(w) && !/^\d+$/.test(w));
}

/** The `limit` most frequent words of a text, most frequent first (ties by first appearance). */
export function topTerms(text: string, limit: number): string[] {
  const counts = new Map<string, number>();
  for (const w of words(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([w]) => w);
}
