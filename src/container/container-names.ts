import { randomInt } from 'node:crypto';
import { invalidParameter } from '../base/engine-error.js';

const adjectives = [
  'agile', 'amber', 'ardent', 'bold', 'brave', 'bright', 'calm', 'clever', 'cosmic', 'crisp', 'daring', 'eager',
  'earnest', 'fervent', 'fierce', 'gentle', 'glad', 'happy', 'hardy', 'humble', 'jolly', 'keen', 'kind', 'lively',
  'lucid', 'merry', 'mellow', 'nimble', 'noble', 'patient', 'plucky', 'proud', 'quiet', 'quirky', 'rapid', 'serene',
  'sharp', 'sleepy', 'steady', 'stoic', 'sunny', 'swift', 'tender', 'tidy', 'upbeat', 'vivid', 'wise', 'witty', 'zealous',
];

const nouns = [
  'albatross', 'anchor', 'beacon', 'breaker', 'buoy', 'capstan', 'compass', 'cormorant', 'current', 'dinghy', 'dolphin',
  'eddy', 'ferry', 'fjord', 'gull', 'harbor', 'heron', 'inlet', 'jetty', 'keel', 'kelp', 'lagoon', 'lighthouse',
  'mariner', 'mast', 'narwhal', 'oar', 'orca', 'otter', 'pelican', 'pier', 'puffin', 'reef', 'rudder', 'sail',
  'schooner', 'seal', 'shoal', 'sloop', 'sound', 'starfish', 'tern', 'tide', 'voyager', 'wake', 'walrus', 'wave', 'whale',
];

/** A random `adjective_noun` name; the caller retries on collision, adding a digit after a few tries as Docker does. */
export function randomName(attempt = 0): string {
  const name = `${adjectives[randomInt(adjectives.length)]}_${nouns[randomInt(nouns.length)]}`;
  return attempt > 3 ? `${name}${randomInt(10)}` : name;
}

const validName = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Validates a user-given name and strips the optional leading slash. */
export function checkContainerName(name: string): string {
  if (!validName.test(name)) throw invalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return name.replace(/^\//, '');
}
