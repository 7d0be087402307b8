// `npm run schema`: regenerates schema/baton.schema.json from the zod schema.
import { writeFile } from "node:fs/promises";
import { batonJsonSchema } from "../src/config/json-schema.js";

await writeFile(new URL("../schema/baton.schema.json", import.meta.url), `${JSON.stringify(batonJsonSchema(), null, 2)}\n`);
