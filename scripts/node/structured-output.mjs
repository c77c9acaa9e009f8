// The official openai client's structured-output helpers against a running `gannet serve`:
// chat.completions.parse with a zod schema (response_format json_schema, strict), N times, each parsed and
// validated by zod itself (the client throws when the content does not parse or validate).
// Env: GANNET_BASE_URL (e.g. http://127.0.0.1:18490/v1), GANNET_RUNS (default 20).
import OpenAI from "openai";
import { zodResponseFormat } from "openai/helpers/zod";
import { z } from "zod";

const client = new OpenAI({ baseURL: process.env.GANNET_BASE_URL, apiKey: "unused" });
const runs = Number(process.env.GANNET_RUNS ?? 20);

const Event = z.object({
  name: z.string().max(24),
  date: z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/),
  attendees: z.array(z.object({ name: z.string().max(16), age: z.number().int().min(0).max(120) })).max(3),
  kind: z.enum(["meeting", "party", "talk"]),
  online: z.boolean(),
  note: z.string().max(20).nullable(),
});

let ok = 0;
for (let i = 0; i < runs; i++) {
  const completion = await client.chat.completions.parse({
    model: process.env.GANNET_MODEL ?? "gannet",
    messages: [{ role: "user", content: "Describe an event as JSON." }],
    response_format: zodResponseFormat(Event, "event"),
    temperature: 1,
    seed: i,
    max_tokens: 400,
  });
  const message = completion.choices[0].message;
  if (completion.choices[0].finish_reason !== "stop" || message.parsed == null) {
    console.log(`FAIL run ${i}: finish ${completion.choices[0].finish_reason}, content ${message.content}`);
    process.exit(1);
  }
  Event.parse(message.parsed); // once more, explicitly
  if (i < 3) console.log(`run ${i}: ${message.content.replace(/\s+/g, " ").slice(0, 160)}`);
  ok++;
}
console.log(`PASS chat.completions.parse with zod: ${ok} of ${runs} parsed and validated`);
