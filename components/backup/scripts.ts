/** The shell scripts EtcdBackup and RestoreDrill mount into their CronJobs: the repository files themselves. */
import * as fs from "fs";
import * as path from "path";

/** The scripts kept in `components/backup/scripts/`. */
export const BACKUP_SCRIPTS = ["etcd-snapshot.sh", "restore-drill.sh"] as const;
export type BackupScript = (typeof BACKUP_SCRIPTS)[number];

/**
 * The text of one script. Found next to this module when it runs from source, or in the package's
 * `components/backup/scripts/` when it runs compiled from `dist/` (the compiler does not copy shell files).
 */
export function backupScript(file: BackupScript): string {
    const candidates = [
        path.join(__dirname, "scripts", file),
        path.join(__dirname, "..", "..", "..", "components", "backup", "scripts", file),
    ];
    for (const c of candidates) {
        if (fs.existsSync(c)) {
            return fs.readFileSync(c, "utf8");
        }
    }
    throw new Error(`backup script ${file} not found (looked in ${candidates.join(", ")})`);
}
