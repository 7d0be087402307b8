import { z } from "zod";
import { BatonConfig } from "./schema.js";

/** The JSON Schema of `.github/baton.yml`, generated from the zod schema, for editors. */
export function batonJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://baton.dev/schema/baton.schema.json",
    title: "Baton configuration (.github/baton.yml)",
    ...z.toJSONSchema(BatonConfig, { io: "input", unrepresentable: "any" }),
  };
}
