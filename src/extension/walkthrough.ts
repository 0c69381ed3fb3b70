// The walkthrough's steps (package.json contributes.walkthroughs) ticked as they are done. Their
// completion events cover what a person does by a command once the walkthrough is up; but VS Code
// drops an event that came before the walkthrough was registered (a few seconds into a window's
// life), and never ticks an `onContext` step whose key was already true then. So what K230 Live does
// by itself (auto-connect, the preview opened at startup) is ticked here too. docs/first-run.md.
import * as vscode from 'vscode';

const WALKTHROUGH = 'k230live.gettingStarted';
export type WalkthroughStep = 'connect' | 'simulator' | 'preview' | 'record' | 'runScript' | 'boardFiles';

export class Walkthrough {
  private readonly ticked = new Set<WalkthroughStep>();

  constructor(
    private readonly extensionId: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The step is done: VS Code keeps the tick for the profile. Once a window is enough. */
  done(step: WalkthroughStep): void {
    if (this.ticked.has(step)) return;
    this.ticked.add(step);
    // VS Code's own command behind a step's "Mark Done"; it saves the tick even before the walkthrough is registered.
    vscode.commands.executeCommand('welcome.markStepComplete', `${this.extensionId}#${WALKTHROUGH}#${step}`).then(
      () => this.log.trace(`walkthrough: ${step} done`),
      (e: Error) => this.log.trace(`walkthrough: ${step}: ${e.message}`),
    );
  }
}
