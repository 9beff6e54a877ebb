// Rubrics read from front matter and files (zod; a malformed one named by file and item), the prompt
// and reply schema with a rubric, and RFC 4180 fields for the CSV export.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildStepCritiqueMessages, parseStepCritiqueReply, stepReplySchema } from '../../src/engine/llm/protocol';
import { csvField } from '../../src/engine/report/csv';
import { parseRubric, parseRubricText, rubricFor } from '../../src/engine/rubric/rubric';
import { parseSolution } from '../../src/engine/documents/parse';

describe('rubric', () => {
  it('reads a list, or a mapping with a rubric: list; refuses a malformed one naming the source and the item', () => {
    const ok = parseRubricText('rubric:\n  - title: Sets up the equation\n    points: 2\n  - {title: States units, points: 0.5}\n', 'rubric.yaml');
    assert.deepEqual(ok, {
      ok: true,
      items: [
        { title: 'Sets up the equation', points: 2 },
        { title: 'States units', points: 0.5 },
      ],
    });
    const cases: [unknown, RegExp][] = [
      [
        [
          { title: 'A', points: 1 },
          { title: 'B', points: -1 },
        ],
        /^f\.yaml: rubric item 2 \("B"\): points: points must be more than 0$/,
      ],
      [[{ points: 1 }], /^f\.yaml: rubric item 1: title: /],
      [[{ title: 'A', points: 1, weight: 3 }], /item 1 \("A"\): Unrecognized key: "weight"/],
      [[], /has no items/],
      ['two points', /must be a list of items/],
    ];
    for (const [value, message] of cases) {
      const parsed = parseRubric(value, 'f.yaml');
      assert.ok(!parsed.ok);
      assert.match(parsed.error, message);
    }
    const yaml = parseRubricText('- title: [unclosed', 'r.yaml');
    assert.ok(!yaml.ok);
    assert.match(yaml.error, /^r\.yaml: not valid YAML/);
  });

  it("a shared rubric wins over a solution's own; a broken front-matter rubric is reported, not thrown", async () => {
    const document = await parseSolution({
      uri: 'a.solution.md',
      text: '---\nrubric:\n  - title: Mine\n    points: 9\n---\n# Problem\nWhat is 1 + 1?\n\n# Solution\nStep 1: 1 + 1 = 2.\n',
    });
    assert.deepEqual(rubricFor(document.frontMatter, undefined), { ok: true, items: [{ title: 'Mine', points: 9 }] });
    assert.deepEqual(rubricFor(document.frontMatter, [{ title: 'Shared', points: 1 }]), { ok: true, items: [{ title: 'Shared', points: 1 }] });
    const broken = rubricFor({ rubric: [{ title: 'x' }] }, undefined);
    assert.ok(broken && !broken.ok);
    assert.match(broken.error, /^front matter: rubric item 1 \("x"\): points: /);
    assert.equal(rubricFor({}, undefined), undefined);
  });

  it('puts the items in the prompt and the reply schema, and reads the rubric entries of a reply', () => {
    const rubric = [
      { title: 'Sets up', points: 2, description: 'Writes </item> an equation' },
      { title: 'Units', points: 1 },
    ];
    const [system, user] = buildStepCritiqueMessages({
      kind: 'math',
      problem: 'P',
      context: [{ index: 1, text: 'later' }],
      judged: [{ index: 0, text: 'first' }],
      rubric,
    });
    assert.match(system!.content, /"rubric": \[\{"item": <item number>/);
    assert.match(user!.content, /<item number="1" points="2">\nSets up\nWrites <\\\/item> an equation\n<\/item>/);
    assert.match(user!.content, /Judge step 1\. Step 2 is context only\. Judge all 2 rubric items\./);
    const schema = stepReplySchema([1], { items: 2, steps: [1, 2] }).schema as { required: string[] };
    assert.deepEqual(schema.required, ['steps', 'rubric']);
    assert.deepEqual((stepReplySchema([], { items: 2, steps: [1, 2] }).schema as { required: string[] }).required, ['rubric']);

    const reply = parseStepCritiqueReply(
      '{"steps": [{"step": 1, "analysis": "ok", "correct": true}], "rubric": [{"item": 1, "analysis": "a", "steps": [1, 7], "met": true}, {"item": 2, "analysis": "b", "steps": [], "met": "maybe"}]}',
      [0],
      { rubricItems: 2, stepCount: 2 },
    );
    assert.ok(reply.ok);
    assert.deepEqual(reply.items.get(1), { item: 1, analysis: 'a', met: true, steps: [0], position: 0 });
    assert.match(reply.itemProblems.get(2)!, /"met" "maybe" is neither true nor false/);
    assert.match(reply.problem!, /rubric item 2/);
  });

  it('CSV fields: RFC 4180 quoting, numbers as numbers, no formula from a file name', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(3.4000000000000004), '3.4');
    assert.equal(csvField(1234567), '1234567');
    assert.equal(csvField(null), '');
    assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField('-1'), "'-1");
  });
});
