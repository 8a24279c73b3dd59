// The one registry of rules. A rule's id equals its file name; the meta-test checks that every
// rule here has a doc page and fixtures that trigger it and fixtures that must not.
import { rule as gcDeletesAllGenerations } from './gc-deletes-all-generations';
import { rule as initrdMissingCommand } from './initrd-missing-command';
import { rule as initrdScriptExit } from './initrd-script-exit';
import { rule as rollbackGenerationLimit } from './rollback-generation-limit';
import { rule as syntaxError } from './syntax-error';
import { rule as fileNotAnalysed } from './file-not-analysed';
import { rule as initrdInteractiveShell } from './initrd-interactive-shell';
import { rule as initrdSecretInStore } from './initrd-secret-in-store';
import { rule as initrdSshIncomplete } from './initrd-ssh-incomplete';
import { rule as initrdNetworkDriver } from './initrd-network-driver';
import { rule as systemdInitrdScriptedHook } from './systemd-initrd-scripted-hook';
import { rule as initrdServiceNotWanted } from './initrd-service-not-wanted';
import { rule as emergencyAccess } from './emergency-access';
import { rule as debugKernelParams } from './debug-kernel-params';
import { rule as systemdMinimal } from './systemd-minimal';
import { rule as nixDisabled } from './nix-disabled';
import { rule as luksDeviceByName } from './luks-device-by-name';
import { rule as initrdCompressor } from './initrd-compressor';
import { rule as largeInitrdContents } from './large-initrd-contents';
import { rule as initrdSshInactive } from './initrd-ssh-inactive';
import { rule as bootEditorRoot } from './boot-editor-root';
import { rule as stage1MountNotNeededForBoot } from './stage1-mount-not-needed-for-boot';
import { rule as unstableSwapEncryption } from './unstable-swap-encryption';
import { rule as autoUpgradeNoRollback } from './auto-upgrade-no-rollback';
import { rule as exitInProfileScript } from './exit-in-profile-script';
import { rule as unknownBootOption } from './unknown-boot-option';
import { rule as systemdInitrdLuksOptions } from './systemd-initrd-luks-options';
import { rule as zfsHostId } from './zfs-host-id';
import { rule as grubInstallTarget } from './grub-install-target';
import { rule as grubPasswordInStore } from './grub-password-in-store';
import { rule as resumeDeviceAbsolute } from './resume-device-absolute';
import { rule as scriptedInitrdDeprecated } from './scripted-initrd-deprecated';
import { rule as zfsDeviceNotDataset } from './zfs-device-not-dataset';
import { rule as bootPartitionBudget } from './boot-partition-budget';
import type { Rule } from './types';

export const RULES: readonly Rule[] = [
  syntaxError,
  fileNotAnalysed,
  initrdScriptExit,
  initrdMissingCommand,
  rollbackGenerationLimit,
  gcDeletesAllGenerations,
  initrdInteractiveShell,
  initrdSecretInStore,
  initrdSshIncomplete,
  initrdNetworkDriver,
  systemdInitrdScriptedHook,
  initrdServiceNotWanted,
  emergencyAccess,
  debugKernelParams,
  systemdMinimal,
  nixDisabled,
  luksDeviceByName,
  initrdCompressor,
  largeInitrdContents,
  initrdSshInactive,
  bootEditorRoot,
  stage1MountNotNeededForBoot,
  unstableSwapEncryption,
  autoUpgradeNoRollback,
  exitInProfileScript,
  unknownBootOption,
  systemdInitrdLuksOptions,
  zfsHostId,
  grubInstallTarget,
  grubPasswordInStore,
  resumeDeviceAbsolute,
  scriptedInitrdDeprecated,
  zfsDeviceNotDataset,
  bootPartitionBudget,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
