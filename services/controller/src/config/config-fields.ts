/** Field rules shared by the parts of controller.yaml. */
import { isAbsolute } from 'node:path';
import { z } from 'zod';

export const AbsolutePath = z.string().min(1).max(4096).refine(isAbsolute, { message: 'must be an absolute path' });
