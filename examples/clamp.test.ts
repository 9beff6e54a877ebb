import assert from 'node:assert/strict';
import { clamp } from './clamp';

assert.equal(clamp(12, 0, 10), 10);
