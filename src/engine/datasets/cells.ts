// Values as a CSV cell holds them: text. `-1` and `true` there are the number and the truth value a
// JSON record would hold, so a labelled dataset reads the same from CSV as from JSON Lines.
import { z } from 'zod';

export const IntegerCell = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\s*-?\d+\s*$/)
      .transform(Number),
  ])
  .pipe(z.number().int());

export const BooleanCell = z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False', 'TRUE', 'FALSE']).transform((v) => v.toLowerCase() === 'true')]);
