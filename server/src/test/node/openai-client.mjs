// End-to-end check of the server with the official `openai` npm client (v4), run by
// dev.gannet.server.http.OpenAiNodeClientTest against a server over the fake backend.
// Prints "PASS <name>" per check and "ALL OK" at the end; exits 1 on the first failure.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.GANNET_BASE_URL, apiKey: process.env.GANNET_API_KEY, maxRetries: 0 });

function check(name, cond, detail) {
  if (!cond) {
    console.log(`FAIL ${name}: ${JSON.stringify(detail)}`);
    process.exit(1);
  }
  console.log(`PASS ${name}`);
}

const c = await client.completions.create({ model: 'fake', prompt: 'hi', max_tokens: 3 });
check('completions', c.object === 'text_completion' && c.choices[0].text === 'abc'
  && c.choices[0].finish_reason === 'length' && c.usage.prompt_tokens === 3 && c.usage.total_tokens === 6, c);

const stop = await client.completions.create({ model: 'fake', prompt: 'hi', max_tokens: 10, stop: ['d'] });
check('stop', stop.choices[0].text === 'abc' && stop.choices[0].finish_reason === 'stop', stop);

const n = await client.completions.create({ model: 'fake', prompt: 'hi', max_tokens: 2, n: 2, seed: 1, temperature: 0.9 });
check('n+seed', n.choices.length === 2 && n.choices[0].text === 'bc' && n.choices[1].text === 'cd', n);

const lp = await client.completions.create({ model: 'fake', prompt: 'hi', max_tokens: 2, logprobs: 1 });
check('logprobs', lp.choices[0].logprobs.tokens.join('') === 'ab'
  && lp.choices[0].logprobs.token_logprobs[0] === -0.5, lp.choices[0].logprobs);

let streamed = '';
let finish = null;
const cs = await client.completions.create({ model: 'fake', prompt: 'hi', max_tokens: 4, stream: true });
for await (const chunk of cs) {
  streamed += chunk.choices[0]?.text ?? '';
  finish = chunk.choices[0]?.finish_reason ?? finish;
}
check('completions stream', streamed === 'abcd' && finish === 'length', { streamed, finish });

const chat = await client.chat.completions.create({ model: 'fake', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 });
check('chat', chat.object === 'chat.completion' && chat.choices[0].message.role === 'assistant'
  && chat.choices[0].message.content === 'ab', chat);

const chatLp = await client.chat.completions.create({ model: 'fake', messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 1, logprobs: true, top_logprobs: 2 });
check('chat logprobs', chatLp.choices[0].logprobs.content[0].token === 'a'
  && chatLp.choices[0].logprobs.content[0].top_logprobs.length === 2, chatLp.choices[0].logprobs);

let role = null;
let content = '';
let usage = null;
const chatStream = await client.chat.completions.create({ model: 'fake', messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 3, stream: true, stream_options: { include_usage: true } });
for await (const chunk of chatStream) {
  if (chunk.choices.length > 0) {
    role = chunk.choices[0].delta.role ?? role;
    content += chunk.choices[0].delta.content ?? '';
  }
  if (chunk.usage) usage = chunk.usage;
}
check('chat stream', role === 'assistant' && content === 'abc' && usage && usage.completion_tokens === 3,
  { role, content, usage });

try {
  await client.completions.create({ model: 'no-such-model', prompt: 'hi' });
  check('404 unknown model', false, 'no error');
} catch (e) {
  check('404 unknown model', e instanceof OpenAI.NotFoundError && e.status === 404 && e.error?.param === 'model',
    { status: e.status, error: e.error });
}
try {
  await client.completions.create({ model: 'fake', prompt: 'hi', temperature: 7 });
  check('400 bad temperature', false, 'no error');
} catch (e) {
  check('400 bad temperature', e instanceof OpenAI.BadRequestError && e.error?.param === 'temperature',
    { status: e.status, error: e.error });
}
try {
  await new OpenAI({ baseURL: process.env.GANNET_BASE_URL, apiKey: 'wrong', maxRetries: 0 })
    .completions.create({ model: 'fake', prompt: 'hi' });
  check('401 wrong key', false, 'no error');
} catch (e) {
  check('401 wrong key', e instanceof OpenAI.AuthenticationError && e.status === 401, { status: e.status });
}
console.log('ALL OK');
