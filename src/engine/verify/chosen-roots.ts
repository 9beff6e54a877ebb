// A root chosen in words after a reason: `(c-5)(c+27) = 0`, "since the point is closest, it must be that
// c > 3. Therefore, we must have c = 5". The reason may drop solutions (that is what it is for), but the
// value chosen must still be one of the equation's: a chosen value that solves none of it is a slip
// (equations.ts judges it). Read only when the text between says why and the value's own sentence
// concludes; a trial, a case or a new equation in between makes the value something else.
/** Text between the equation and the value longer than this is not one argument. */
const MAX_REASON = 300;
/** Why some solutions go: "since", "must", a sign or an inequality. */
const REASON = /\b(?:since|because|as|must|positive|negative|greater|less|larger|smaller|nonnegative|integer|valid|only)\b|[<>]|\\[gl]eq?\b|\\[gl]t\b/i;
/** What makes the value something other than a chosen root: a trial, a case, another quantity. */
const ELSEWHERE =
  /\b(?:case|cases|if|suppose|assume|say|try|trying|check\w*|test\w*|verif\w*|another|other|second|third|similarly|instead|also|plug\w*|substitut\w*|let|for|where|approx\w*|about)\b|\?|=/i;
/** The value's sentence concludes: "Therefore, we must have", "so we take", "hence". */
const CONCLUDES =
  /^\W*(?:therefore|thus|hence|so|then)\b|\b(?:we (?:must )?(?:have|take|choose|get|keep)|must (?:be|have)|the only (?:\w+ )?(?:value|solution|root|choice) is)\W*$/i;

const CONCLUSION_WORDS = /\b(?:therefore|thus|hence|so|then|we|must|have|take|choose|get|keep|be|the|only|value|solution|root|choice|is)\b/gi;

/**
 * Whether a value is chosen among the solutions of the equation before it: `between` is the text from the
 * equation to the value, `sentence` the value's sentence up to it. The equation's `=` and any other
 * formula with one in between disqualify it (a new equation was written).
 */
export function isChosenRoot(between: string, sentence: string): boolean {
  if (between.length > MAX_REASON || ELSEWHERE.test(between) || !CONCLUDES.test(sentence.trim())) return false;
  // the reason is what the text says besides the conclusion ("we must have" gives none)
  const reason = between.slice(0, Math.max(0, between.length - sentence.length)) + sentence.replace(CONCLUSION_WORDS, ' ');
  return REASON.test(reason);
}
