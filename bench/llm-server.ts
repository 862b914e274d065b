// The local OpenAI-wire server of test/llm as its own process, for bench/llm.ts: a real model server is
// another process, and one sharing the engine's event loop would delay its own answers. Prints its
// base URL on the first line of stdout; exits when stdin closes (its parent is gone).
import { startOpenAiServer } from '../test/llm/openai-server.ts';

const server = await startOpenAiServer();
process.stdout.write(`${server.base}\n`);
process.stdin.resume();
process.stdin.on('close', () => void server.close().then(() => process.exit(0)));
