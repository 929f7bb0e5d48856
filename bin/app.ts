import { App } from 'aws-cdk-lib';

import { applyCompliance } from '../lib/compliance';
import { IrKitConfig, loadConfig } from '../lib/config';
import { IrKitError } from '../lib/errors';

/**
 * The CDK app: reads and validates the config, applies cdk-nag, instantiates the stacks.
 * Nothing else belongs here.
 */
export interface IrKitApp {
  readonly app: App;
  readonly config: IrKitConfig;
}

export function buildApp(app: App = new App()): IrKitApp {
  const config = loadConfig(app);
  applyCompliance(app);
  return { app, config };
}

if (require.main === module) {
  try {
    buildApp().app.synth();
  } catch (error) {
    // A config mistake is the user's to fix: show the message and the fix, not a stack trace.
    if (error instanceof IrKitError) {
      console.error(error.describe());
      process.exit(1);
    }
    throw error;
  }
}
