// Tool calls round-trip with the official openai client against a running `gannet serve`: tools in, tool_calls out
// (non-streaming, and streaming through the client's own stream helper, which assembles the tool_calls deltas),
// then the assistant's call and a `role: tool` result back in. The shared models are untrained, so the call comes
// from tool_choice "required" or a named function (the constraint); "auto" must then give their noise back as text.
// Env: GANNET_BASE_URL (e.g. http://127.0.0.1:18491/v1), GANNET_LABEL (printed), GANNET_MODEL (default "gannet").
import OpenAI from "openai";

const base = process.env.GANNET_BASE_URL;
const label = process.env.GANNET_LABEL ?? "";
const model = process.env.GANNET_MODEL ?? "gannet";
const client = new OpenAI({ baseURL: base, apiKey: "unused" });

const tools = [
  { type: "function", function: { name: "get_weather", description: "Current weather in a city",
    parameters: { type: "object", properties: { city: { type: "string", maxLength: 12 },
      unit: { type: "string", enum: ["celsius", "fahrenheit"] } }, required: ["city", "unit"], additionalProperties: false } } },
  { type: "function", function: { name: "get_time", description: "Local time in a city",
    parameters: { type: "object", properties: { city: { type: "string", maxLength: 12 } }, required: ["city"] } } },
];
const user = { role: "user", content: "What is the weather in Paris?" };

function check(ok, what) {
  if (!ok) {
    console.log(`FAIL ${label}: ${what}`);
    process.exit(1);
  }
}

// parallel_tool_calls false: an untrained model never chooses to stop calling, so with parallel calls allowed it
// writes calls until max_tokens; one call ends where the grammar does
async function ask(messages, stream, toolChoice, maxTokens, seed) {
  const body = { model, messages, tools, tool_choice: toolChoice, parallel_tool_calls: false, max_tokens: maxTokens,
    temperature: 1, seed };
  if (!stream) {
    const c = await client.chat.completions.create(body);
    return { message: c.choices[0].message, finish: c.choices[0].finish_reason, chunks: 0 };
  }
  const streamApi = client.chat.completions.stream ? client.chat.completions : client.beta.chat.completions;
  const runner = streamApi.stream(body);
  let chunks = 0;
  runner.on("chunk", (chunk) => {
    const d = chunk.choices[0]?.delta;
    if (d?.tool_calls) {
      chunks++;
      for (const tc of d.tool_calls) {
        check(Number.isInteger(tc.index), `a tool_calls delta without index: ${JSON.stringify(d)}`);
        if (tc.id) check(tc.type === "function" && typeof tc.function?.name === "string", `first delta: ${JSON.stringify(tc)}`);
      }
    }
  });
  const c = await runner.finalChatCompletion();
  return { message: c.choices[0].message, finish: c.choices[0].finish_reason, chunks };
}

let passed = 0;
for (const stream of [false, true]) {
  for (const toolChoice of ["required", { type: "function", function: { name: "get_time" } }]) {
    const mode = `${stream ? "stream" : "non-stream"} tool_choice=${JSON.stringify(toolChoice)}`;
    const seed = 7 + passed;
    const first = await ask([user], stream, toolChoice, 100, seed);
    check(first.finish === "tool_calls", `${mode}: finish_reason ${first.finish}, message ${JSON.stringify(first.message)}`);
    check(first.message.tool_calls?.length >= 1, `${mode}: no tool_calls in ${JSON.stringify(first.message)}`);
    const call = first.message.tool_calls[0];
    check(/^call_[A-Za-z0-9]{24}$/.test(call.id) && call.type === "function", `${mode}: call ${JSON.stringify(call)}`);
    const args = JSON.parse(call.function.arguments); // throws when not JSON
    if (typeof toolChoice === "object") check(call.function.name === "get_time", `${mode}: named get_time, got ${call.function.name}`);
    check(["get_weather", "get_time"].includes(call.function.name), `${mode}: unknown function ${call.function.name}`);
    check(typeof args.city === "string", `${mode}: arguments ${call.function.arguments}`);
    if (call.function.name === "get_weather") check(["celsius", "fahrenheit"].includes(args.unit), `${mode}: unit ${args.unit}`);
    console.log(`${label} ${mode}: ${call.function.name}(${call.function.arguments}) id ${call.id}`
      + (stream ? `, ${first.chunks} tool_calls chunks` : "") + `, content ${JSON.stringify(first.message.content)}`);

    const history = [user, { role: "assistant", content: first.message.content ?? null, tool_calls: first.message.tool_calls },
      { role: "tool", tool_call_id: call.id, content: JSON.stringify({ city: args.city, result: "clear, 21 C" }) }];
    // what the model is shown, through the same template: the call and the result are in it
    const rendered = await fetch(base.replace(/\/v1\/?$/, "") + "/tokenize", { method: "POST",
      headers: { "content-type": "application/json" }, body: JSON.stringify({ model, messages: history, tools }) })
      .then((r) => r.json());
    check(typeof rendered.prompt === "string" && rendered.prompt.includes(call.function.name)
      && rendered.prompt.includes("clear, 21 C"), `${mode}: the call or the result is missing from the prompt: ${JSON.stringify(rendered)}`);
    const second = await ask(history, stream, "auto", 12, seed);
    check(["stop", "length", "tool_calls"].includes(second.finish), `${mode}: second turn finish ${second.finish}`);
    console.log(`${label} ${mode}: result back in (prompt ${rendered.count} tokens), answer ${JSON.stringify(second.message.content)}`
      + `, finish ${second.finish}`);
    passed++;
  }
}
console.log(`PASS ${label}: ${passed} round trips`);
