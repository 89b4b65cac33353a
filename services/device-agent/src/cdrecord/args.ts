/**
 * cdrecord argument lists, Cedar Backup's CD path (cdwriter.py): blank with
 * `blank=fast`, write a finished image as one data track, leave the disc open for the next
 * session (`-multi`) when the drive reads multisession discs.
 */
import { checkDriveSpeed } from '../media/drive-speed.js';

/** cdrecord addresses a drive by its SCSI id (`[method:]bus,target,lun`) when one is configured. */
export function cdrecordDevice(settings: { path: string; scsiId?: string }): string {
  return settings.scsiId ?? settings.path;
}

function speedArgs(driveSpeed: number | undefined): string[] {
  const speed = checkDriveSpeed(driveSpeed);
  return speed === undefined ? [] : [`speed=${speed}`];
}

export function prcapArgs(device: string): string[] {
  return ['-prcap', `dev=${device}`];
}

export function msinfoArgs(device: string): string[] {
  return ['-msinfo', `dev=${device}`];
}

export function blankArgs(request: { device: string; driveSpeed?: number }): string[] {
  return ['-v', 'blank=fast', ...speedArgs(request.driveSpeed), `dev=${request.device}`];
}

export function writeArgs(request: {
  device: string;
  driveSpeed?: number;
  multisession: boolean;
  imagePath: string;
}): string[] {
  return [
    '-v',
    ...speedArgs(request.driveSpeed),
    `dev=${request.device}`,
    ...(request.multisession ? ['-multi'] : []),
    '-data',
    request.imagePath,
  ];
}
