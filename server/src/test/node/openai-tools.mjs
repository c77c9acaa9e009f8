// Tool calls with the official `openai` npm client (v4), run by dev.gannet.server.http.OpenAiNodeClientTest against
// a server over the fake backend, which writes a scripted Qwen2.5-style call (hermes format) for every request.
// Prints "PASS <name>" per check and "ALL OK" at the end; exits 1 on the first failure.
import OpenAI from 'openai';

const client = new OpenAI({ baseURL: process.env.GANNET_BASE_URL, apiKey: process.env.GANNET_API_KEY, maxRetries: 0 });
const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather now',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
const user = { role: 'user', content: 'Weather in Paris?' };

function check(name, cond, detail) {
  if (!cond) {
    console.log(`FAIL ${name}: ${JSON.stringify(detail)}`);
    process.exit(1);
  }
  console.log(`PASS ${name}`);
}

const full = await client.chat.completions.create({ model: 'fake', messages: [user], tools });
const m = full.choices[0].message;
check('tools non-stream', full.choices[0].finish_reason === 'tool_calls' && m.content === 'Checking.'
  && m.tool_calls.length === 1 && m.tool_calls[0].function.name === 'get_weather'
  && JSON.parse(m.tool_calls[0].function.arguments).city === 'Paris' && /^call_/.test(m.tool_calls[0].id), full);

const runner = client.beta.chat.completions.stream({ model: 'fake', messages: [user], tools });
let toolChunks = 0;
runner.on('chunk', (chunk) => { if (chunk.choices[0]?.delta?.tool_calls) toolChunks++; });
const streamed = await runner.finalChatCompletion();
const s = streamed.choices[0].message;
check('tools stream', streamed.choices[0].finish_reason === 'tool_calls' && s.content === 'Checking.'
  && s.tool_calls.length === 1 && s.tool_calls[0].function.name === 'get_weather'
  && s.tool_calls[0].function.arguments === m.tool_calls[0].function.arguments && toolChunks > 1, { streamed, toolChunks });

const back = await client.chat.completions.create({ model: 'fake', tools, messages: [user,
  { role: 'assistant', content: null, tool_calls: s.tool_calls },
  { role: 'tool', tool_call_id: s.tool_calls[0].id, content: 'sunny, 21 C' }] });
check('tool result back in', back.choices.length === 1 && back.object === 'chat.completion', back);
console.log('ALL OK');
