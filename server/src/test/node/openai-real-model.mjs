// The official `openai` npm client (v4) against Gannet serving the real stories260K model through the
// engine (dev.gannet.server.http.RealModelServerTest). Prints "PASS <name>" per check, "ALL OK" at the end.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.GANNET_BASE_URL, apiKey: 'none', maxRetries: 0 });
const model = 'stories260K';
const prompt = 'Once upon a time';

function check(name, cond, detail) {
  if (!cond) {
    console.log(`FAIL ${name}: ${JSON.stringify(detail)}`);
    process.exit(1);
  }
  console.log(`PASS ${name}`);
}

const g = await client.completions.create({ model, prompt, max_tokens: 12, temperature: 0 });
check('greedy completion is llama.cpp\'s', g.choices[0].text.startsWith(', there was a little girl named Lily')
  && g.choices[0].finish_reason === 'length' && g.usage.prompt_tokens === 5 && g.usage.completion_tokens === 12, g);

const stop = await client.completions.create({ model, prompt, max_tokens: 40, temperature: 0, stop: ['Lily'] });
check('stop string', stop.choices[0].text === ', there was a little girl named ' && stop.choices[0].finish_reason === 'stop', stop);

const a = await client.completions.create({ model, prompt, max_tokens: 10, n: 2, seed: 7, temperature: 1.0 });
const b = await client.completions.create({ model, prompt, max_tokens: 10, n: 2, seed: 7, temperature: 1.0 });
check('n + seed is reproducible', a.choices.length === 2 && a.choices[0].text === b.choices[0].text
  && a.choices[1].text === b.choices[1].text, { a: a.choices, b: b.choices });

const lp = await client.completions.create({ model, prompt, max_tokens: 4, temperature: 0, logprobs: 2 });
const l = lp.choices[0].logprobs;
check('logprobs', l.tokens.length === 4 && l.token_logprobs.every((x) => x <= 0)
  && l.top_logprobs.every((t) => Object.keys(t).length >= 1), l);

let streamed = '';
let finish = null;
const s = await client.completions.create({ model, prompt, max_tokens: 12, temperature: 0, stream: true });
for await (const chunk of s) {
  streamed += chunk.choices[0]?.text ?? '';
  finish = chunk.choices[0]?.finish_reason ?? finish;
}
check('stream equals non-stream', streamed === g.choices[0].text && finish === 'length', { streamed, finish });

const chat = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Tell me a story' }],
  max_tokens: 8, temperature: 0 });
check('chat', chat.choices[0].message.role === 'assistant' && chat.choices[0].message.content.length > 0
  && chat.usage.completion_tokens === 8, chat);

let role = null;
let content = '';
let usage = null;
const cs = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Tell me a story' }],
  max_tokens: 8, temperature: 0, stream: true, stream_options: { include_usage: true } });
for await (const chunk of cs) {
  if (chunk.choices.length > 0) {
    role = chunk.choices[0].delta.role ?? role;
    content += chunk.choices[0].delta.content ?? '';
  }
  if (chunk.usage) usage = chunk.usage;
}
check('chat stream', role === 'assistant' && content === chat.choices[0].message.content && usage?.completion_tokens === 8,
  { role, content, usage });

try {
  await client.completions.create({ model, prompt, max_tokens: 500 });
  check('400 beyond the context', false, 'no error');
} catch (e) {
  check('400 beyond the context', e instanceof OpenAI.BadRequestError, { status: e.status, error: e.error });
}
console.log('ALL OK');
