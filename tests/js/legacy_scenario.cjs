// One chat turn through the legacy `langfuse` 3.x JS SDK (batch ingestion): a managed prompt, a trace with a linked
// generation, a score and a trace.update(), then the trace read back through the SDK. Prints one JSON line for
// tests/js/test_js_sdks.py. Settings come from LANGFUSE_* and SCENARIO_* variables.
const { createRequire } = require("node:module");
const path = require("node:path");

const { Langfuse } = createRequire(path.join(process.cwd(), "package.json"))("langfuse");

async function main() {
  const tag = process.env.SCENARIO_TAG;
  const langfuse = new Langfuse({ baseUrl: process.env.LANGFUSE_BASE_URL });

  await langfuse.createPrompt({
    name: process.env.SCENARIO_PROMPT,
    prompt: "Answer {{question}} briefly.",
    labels: ["production"],
    config: { temperature: 0.2 },
  });
  const prompt = await langfuse.getPrompt(process.env.SCENARIO_PROMPT, undefined, { cacheTtlSeconds: 0 });

  const trace = langfuse.trace({
    name: "js-chat",
    userId: "js-user",
    sessionId: `session-${tag}`,
    tags: ["js", tag],
    input: { question: "hi" },
  });
  const generation = trace.generation({
    name: "llm",
    model: "gpt-4o-mini",
    input: [{ role: "user", content: prompt.compile({ question: "hi" }) }],
    modelParameters: { temperature: 0.2 },
    prompt,
  });
  generation.end({ output: { role: "assistant", content: "hello" }, usage: { input: 10, output: 5 } });
  trace.score({ name: "user_feedback", value: 4, comment: "good" });
  trace.update({ output: { answer: "hello" } });
  await langfuse.flushAsync();

  const fetched = await langfuse.fetchTrace(trace.id);
  console.log(
    JSON.stringify({ traceId: trace.id, generationId: generation.id, promptVersion: prompt.version, trace: fetched.data }),
  );
  await langfuse.shutdownAsync();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
