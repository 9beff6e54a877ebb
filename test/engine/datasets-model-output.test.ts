// Records as researchers keep them: a problem and a model's response under the field names common
// tools write, chats, and PRM800K's labelled trajectories.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { solutionsInRecord } from '../../src/engine/datasets/model-output';
import { detectRecordFormat, recordToDocument } from '../../src/engine/datasets/records';
import { SolutionDocumentSchema } from '../../src/engine/types';

const PROBLEM = 'A baker makes 48 rolls and sells half. How many are left?';
const RESPONSE = 'Half of the rolls are sold: 48 / 2 = 24.\n\nSo 48 - 24 = 24 rolls are left.\n\nThe answer is \\boxed{24}.';

function read(record: unknown) {
  const document = recordToDocument(record, { uri: 'outputs.jsonl#0' });
  SolutionDocumentSchema.parse(document);
  return document;
}

describe('model-output records', () => {
  it('read the problem and the response whatever the common field names', () => {
    const shapes = [
      { problem: PROBLEM, response: RESPONSE },
      { question: PROBLEM, output: RESPONSE },
      { prompt: PROBLEM, completion: RESPONSE },
      { instruction: PROBLEM, input: '', output: RESPONSE },
      { query: PROBLEM, generation: RESPONSE, id: 7 },
      { problem: PROBLEM, model_output: RESPONSE },
    ];
    for (const record of shapes) {
      assert.equal(detectRecordFormat(record), 'model-output', JSON.stringify(Object.keys(record)));
      const document = read(record);
      assert.equal(document.problem, PROBLEM);
      assert.deepEqual(
        document.steps.map((s) => s.text),
        ['Half of the rolls are sold: 48 / 2 = 24.', 'So 48 - 24 = 24 rolls are left.', 'The answer is \\boxed{24}.'],
      );
      assert.equal(document.finalAnswer?.text, '24');
    }
  });

  it('read a chat: the user asks, the last assistant message is the solution', () => {
    const openai = {
      messages: [
        { role: 'system', content: 'You are a careful solver.' },
        { role: 'user', content: [{ type: 'text', text: PROBLEM }] },
        { role: 'assistant', content: RESPONSE },
      ],
    };
    const sharegpt = {
      conversations: [
        { from: 'human', value: PROBLEM },
        { from: 'gpt', value: RESPONSE },
      ],
    };
    for (const record of [openai, sharegpt]) {
      const document = read(record);
      assert.equal(document.problem, PROBLEM);
      assert.equal(document.steps.length, 3);
    }
    assert.throws(() => read({ messages: [{ role: 'user', content: PROBLEM }] }), /no assistant message/);
    const alpaca = read({ instruction: 'Find how many rolls are left.', input: 'A baker makes 48 rolls and sells half.', output: RESPONSE });
    assert.equal(alpaca.problem, 'Find how many rolls are left.\n\nA baker makes 48 rolls and sells half.');
  });

  it('read an lm-evaluation-harness sample (--log_samples): the task doc, the first generation, the target', () => {
    const sample = {
      doc_id: 3,
      doc: { question: PROBLEM, answer: 'Half is 24.\n#### 24' },
      target: '24',
      arguments: { gen_args_0: { arg_0: `Question: ${PROBLEM}\nAnswer:`, arg_1: { until: ['Question:'] } } },
      resps: [[RESPONSE]],
      filtered_resps: ['24'],
    };
    assert.equal(detectRecordFormat(sample), 'model-output');
    const document = read(sample);
    assert.equal(document.problem, PROBLEM);
    assert.equal(document.steps.length, 3);
    assert.equal(document.expectedAnswer, '24');
    assert.throws(() => read({ ...sample, resps: [[-1.5, true]] }), /holds no generated text/);
  });

  it('check the final answer against the expected one the record carries', () => {
    const wrong = RESPONSE.replace('\\boxed{24}', '\\boxed{25}');
    for (const key of ['answer', 'ground_truth', 'gt_answer', 'expected_answer', 'target']) {
      const document = read({ question: PROBLEM, response: wrong, [key]: 24 });
      assert.equal(document.format, 'model-output', key);
      assert.equal(document.expectedAnswer, '24', key);
      assert.equal(document.finalAnswer?.text, '25');
    }
    // MATH-style records: the reference solution is what is read, its answer expected.
    const math = read({ problem: PROBLEM, solution: RESPONSE, answer: '24' });
    assert.equal(math.steps.length, 3);
    assert.equal(math.expectedAnswer, '24');
  });

  it("read a RealCritic record: the model's reasoning (not the dataset's answer or solution), gt expected, its final-answer label", () => {
    const record = {
      idx: 3,
      question: PROBLEM,
      gt_cot: 'Half is 48/2=<<48/2=24>>24',
      gt: '24',
      answer: 'Half is 48/2=<<48/2=24>>24\n#### 24',
      solution: 'The human solution: 24 are left.',
      reasoning: RESPONSE.replace('\\boxed{24}', '\\boxed{25}'),
      pred: '25',
      model: 'Qwen2-7B-Instruct',
      previous_score: [false],
    };
    const document = read(record);
    assert.equal(document.format, 'model-output');
    assert.equal(document.steps.length, 3);
    assert.equal(document.finalAnswer?.text, '25');
    assert.equal(document.expectedAnswer, '24');
    assert.deepEqual(document.labels, { firstErrorStep: null, finalAnswerCorrect: false, dataset: 'model-output' });
    assert.equal(read({ ...record, previous_score: [true] }).labels?.finalAnswerCorrect, true);
    assert.equal(read({ problem: PROBLEM, response: RESPONSE, is_correct: true }).labels?.finalAnswerCorrect, true);
    assert.equal(read({ problem: PROBLEM, response: RESPONSE }).labels, undefined);
  });

  it('split a record holding several solutions: one per model (GSM8K example model solutions), or a list of samples', () => {
    const perModel = {
      question: PROBLEM,
      ground_truth: 'Half are sold: 48/2=<<48/2=24>>24\nSo 48-24=<<48-24=24>>24 are left.\nA: 24',
      '6b': { is_correct: false, solution: 'Half are sold: 48/2=<<48/2=24>>24\nSo 48-24=<<48-24=25>>25 are left.\nA: 25' },
      '175b': { is_correct: true, solution: 'Half are sold: 48/2=<<48/2=24>>24\nSo 48-24=<<48-24=24>>24 are left.\nA: 24' },
    };
    const split = solutionsInRecord(perModel)!;
    assert.deepEqual(
      split.map((s) => s.name),
      ['6b', '175b'],
    );
    const wrong = read(split[0]!.record);
    // A line per step (no blank line between), calculator annotations gone, `A: 25` the final answer.
    assert.deepEqual(
      wrong.steps.map((s) => s.text),
      ['Half are sold: 48/2=24', 'So 48-24=25 are left.'],
    );
    assert.equal(wrong.finalAnswer?.text, '25');
    // The worked ground truth is a reference: its final answer (24) is what the answer is compared with.
    assert.equal(wrong.reference?.finalAnswer, '24');
    assert.equal(wrong.expectedAnswer, undefined);
    assert.deepEqual(wrong.labels, { firstErrorStep: null, finalAnswerCorrect: false, dataset: 'model-output' });
    assert.equal(read(split[1]!.record).labels?.finalAnswerCorrect, true);

    const samples = solutionsInRecord({ problem: PROBLEM, answer: '24', responses: [RESPONSE, RESPONSE.replace('\\boxed{24}', '\\boxed{23}')] })!;
    assert.deepEqual(
      samples.map((s) => [s.name, read(s.record).finalAnswer?.text, read(s.record).expectedAnswer]),
      [
        ['0', '24', '24'],
        ['1', '23', '24'],
      ],
    );
    // vLLM's offline outputs (RequestOutput as JSON): each of `outputs` is a sample, its `text` the response.
    const vllm = solutionsInRecord({
      request_id: '0',
      prompt: PROBLEM,
      outputs: [
        { index: 0, text: RESPONSE, token_ids: [1, 2], finish_reason: 'stop' },
        { index: 1, text: RESPONSE.replace('48 - 24 = 24', '48 - 24 = 23'), token_ids: [3], finish_reason: 'stop' },
      ],
    })!;
    assert.deepEqual(
      vllm.map((s) => [s.name, read(s.record).problem, read(s.record).steps[1]?.text]),
      [
        ['0', PROBLEM, 'So 48 - 24 = 24 rolls are left.'],
        ['1', PROBLEM, 'So 48 - 24 = 23 rolls are left.'],
      ],
    );
    // One solution, or not a model output: nothing to split.
    assert.equal(solutionsInRecord({ problem: PROBLEM, response: RESPONSE }), undefined);
    assert.equal(solutionsInRecord({ problem: PROBLEM, steps: ['a'], label: -1 }), undefined);
    assert.equal(solutionsInRecord({ problem: PROBLEM, meta: { source: 'x' } }), undefined);
  });

  it('split a preference pair (reward-model and DPO data) into its chosen and rejected responses', () => {
    const wrong = RESPONSE.replace('48 / 2 = 24', '48 / 2 = 25');
    const asText = solutionsInRecord({ prompt: PROBLEM, chosen: RESPONSE, rejected: wrong, id: 'p1' })!;
    assert.deepEqual(
      asText.map((s) => [s.name, read(s.record).problem, read(s.record).steps[0]?.text]),
      [
        ['chosen', PROBLEM, 'Half of the rolls are sold: 48 / 2 = 24.'],
        ['rejected', PROBLEM, 'Half of the rolls are sold: 48 / 2 = 25.'],
      ],
    );
    // TRL's conversational form: the prompt is a chat of its own, each response a chat that continues it.
    const asChats = solutionsInRecord({
      prompt: [{ role: 'user', content: PROBLEM }],
      chosen: [{ role: 'assistant', content: RESPONSE }],
      rejected: [{ role: 'assistant', content: wrong }],
    })!;
    assert.deepEqual(
      asChats.map((s) => [s.name, read(s.record).problem, read(s.record).steps[0]?.text]),
      [
        ['chosen', PROBLEM, 'Half of the rolls are sold: 48 / 2 = 24.'],
        ['rejected', PROBLEM, 'Half of the rolls are sold: 48 / 2 = 25.'],
      ],
    );
    // TRL's conversational prompt-completion: the completion continues the prompt's chat.
    const promptCompletion = read({ prompt: [{ role: 'user', content: PROBLEM }], completion: [{ role: 'assistant', content: RESPONSE }] });
    assert.deepEqual([promptCompletion.problem, promptCompletion.finalAnswer?.text], [PROBLEM, '24']);
    // Hugging Face's text-generation pipeline writes the response as `generated_text`.
    assert.equal(read({ query: PROBLEM, generated_text: RESPONSE }).finalAnswer?.text, '24');
  });

  it('read a response hard-wrapped at a fixed width as its sentences, not a step per line', () => {
    const wrapped = [
      'Natalia sold 48 clips in April, and in May she sold half as many',
      'clips as in April, so 48 / 2 = 24 clips in May.',
      'Altogether she sold 48 + 24 =',
      '72 clips in April and May.',
      'The answer is 72.',
    ].join('\n');
    assert.deepEqual(
      read({ problem: PROBLEM, response: wrapped }).steps.map((s) => s.text),
      [
        'Natalia sold 48 clips in April, and in May she sold half as many\nclips as in April, so 48 / 2 = 24 clips in May.',
        'Altogether she sold 48 + 24 =\n72 clips in April and May.',
        'The answer is 72.',
      ],
    );
  });

  it('read "A: 18" as the final answer only on the last line', () => {
    const document = read({ problem: PROBLEM, response: 'A: first we halve 48.\n48 / 2 = 24\nA: 24' });
    assert.equal(document.finalAnswer?.text, '24');
    assert.equal(document.steps.length, 2);
  });

  it('keep GSM8K records (question and answer) apart from model outputs that carry an answer too', () => {
    assert.equal(detectRecordFormat({ question: PROBLEM, answer: 'Half is 24.\n#### 24' }), 'gsm8k');
    assert.equal(detectRecordFormat({ question: PROBLEM, answer: '24', response: RESPONSE }), 'model-output');
  });

  it('say clearly what they cannot read', () => {
    assert.throws(() => read({ problem: PROBLEM, responses: [RESPONSE, RESPONSE] }), /"responses" holds several responses; write one record per response/);
    assert.throws(() => read({ problem: PROBLEM, response: '   ' }), /the response is empty/);
    assert.equal(detectRecordFormat({ problem: PROBLEM, answer: '24' }), undefined);
    assert.throws(() => read({ problem: PROBLEM, answer: '24' }), /expected a problem and a response/);
  });
});

function step(text: string, rating: number | null, chosen: number | null = 0) {
  return { completions: [{ text, rating, flagged: null }], human_completion: null, chosen_completion: chosen };
}

describe('PRM800K records', () => {
  const problem = { problem: 'What is $3 \\cdot 4 + 5$?', ground_truth_answer: '17' };
  const steps = ['First, $3 \\cdot 4 = 12$.', 'Then $12 + 5 = 18$.', 'So the value is 18.\n\n# Answer\n\n18'];

  it('phase 2: the whole pre-generated solution, the first step rated -1 is the first error', () => {
    const record = {
      labeler: 'x',
      question: { ...problem, pre_generated_steps: steps, pre_generated_answer: '18' },
      label: { steps: [step(steps[0]!, 1), step(steps[1]!, -1, null)], finish_reason: 'found_error' },
    };
    assert.equal(detectRecordFormat(record), 'prm800k');
    const document = read(record);
    assert.equal(document.steps.length, 3, 'labelling stopped at the error; the solution did not');
    assert.equal(document.labels?.firstErrorStep, 1);
    assert.equal(document.finalAnswer?.text, '18');
    assert.equal(document.expectedAnswer, '17');
  });

  it('phase 1: the chosen completions and the human steps; neutral is not an error; give_up is unknown', () => {
    const human = { completions: [{ text: 'A wrong turn.', rating: -1 }], human_completion: { text: 'A human step.' }, chosen_completion: null };
    const reached = read({
      question: problem,
      label: { steps: [step('First, $3 \\cdot 4 = 12$.', 0), human, step('So 17.\n\n# Answer\n\n17', 1)], finish_reason: 'solution' },
    });
    assert.deepEqual(
      reached.steps.map((s) => s.text),
      ['First, $3 \\cdot 4 = 12$.', 'A human step.', 'So 17.\n\n# Answer\n\n17'],
    );
    assert.equal(reached.labels?.firstErrorStep, -1);
    const gaveUp = read({ question: problem, label: { steps: [step('First, $3 \\cdot 4 = 12$.', 1)], finish_reason: 'give_up' } });
    assert.equal(gaveUp.labels?.firstErrorStep, null);
  });
});
