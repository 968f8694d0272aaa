// The output formats of the CLI, by name.
import { githubReporter } from './github';
import { gitlabReporter } from './gitlab';
import { jsonReporter } from './json';
import { junitReporter } from './junit';
import type { Reporter } from './report';
import { sarifReporter } from './sarif';
import { fullReporter, textReporter } from './text';

export const FORMATS: Record<string, Reporter> = {
  text: textReporter,
  full: fullReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  github: githubReporter,
  gitlab: gitlabReporter,
  junit: junitReporter,
};
