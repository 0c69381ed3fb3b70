/* The storage root: every way out of it is refused, and nothing outside is read or written. */
#define _XOPEN_SOURCE 700 /* mkdtemp, symlink, mkfifo */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "files.h"

static char base[64], root[128], outside[128];

static void make_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static enum files_status_e resolve(const struct files_s *f, const char *board_path, bool create) {
    char real[FILES_PATH_MAX];
    return files_resolve(f, board_path, create, real, sizeof(real));
}

int main(void) {
    snprintf(base, sizeof(base), "/tmp/k230-files-XXXXXX");
    if (!mkdtemp(base)) return 1;
    snprintf(root, sizeof(root), "%s/sdcard", base);
    snprintf(outside, sizeof(outside), "%s/secret.txt", base);
    mkdir(root, 0755);
    char path[256];
    snprintf(path, sizeof(path), "%s/examples", root);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/examples/test.264", root);
    make_file(path, "raw");
    make_file(outside, "secret");
    snprintf(path, sizeof(path), "%s/escape", root);
    symlink(outside, path); /* a link to a file outside */
    snprintf(path, sizeof(path), "%s/up", root);
    symlink(base, path); /* a link to a folder outside */

    struct files_s f;
    CHECK_EQ_INT(files_init(&f, root), 0);
    char real[FILES_PATH_MAX];
    CHECK_EQ_INT(files_resolve(&f, "/sdcard/examples/test.264", false, real, sizeof(real)), FILES_OK);
    CHECK(strstr(real, "/sdcard/examples/test.264") != NULL);
    CHECK_EQ_INT(resolve(&f, "examples/test.264", false), FILES_OK);
    CHECK_EQ_INT(resolve(&f, "/sdcard", false), FILES_OK);
    CHECK_EQ_INT(resolve(&f, "/sdcard/./examples//test.264", false), FILES_OK);
    CHECK_EQ_INT(resolve(&f, "/sdcard/missing.mp4", false), FILES_NOT_FOUND);

    /* the ways out */
    CHECK_EQ_INT(resolve(&f, "/sdcard/../secret.txt", false), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "../secret.txt", false), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "/sdcard/examples/../../secret.txt", false), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "/etc/passwd", false), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "/sdcardx/a", false), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "/sdcard/escape", false), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "/sdcard/up/secret.txt", false), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "/sdcard/up/new.mp4", true), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "/sdcard/escape", true), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "/sdcard/../new.mp4", true), FILES_OUTSIDE_ROOT);
    /* a missing name behind a link out is outside too: NOT_FOUND would tell what is there */
    CHECK_EQ_INT(resolve(&f, "/sdcard/up/missing.txt", false), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "/sdcard/up/no/such/new.mp4", true), FILES_OUTSIDE_ROOT);
    CHECK_EQ_INT(resolve(&f, "/sdcard/examples/no/new.mp4", true), FILES_NOT_FOUND);

    /* creating inside works; an existing name is not overwritten */
    CHECK_EQ_INT(resolve(&f, "/sdcard/new.mp4", true), FILES_OK);
    CHECK_EQ_INT(resolve(&f, "/sdcard/examples/test.264", true), FILES_EXISTS);
    CHECK_EQ_INT(resolve(&f, "/sdcard/nofolder/new.mp4", true), FILES_NOT_FOUND);

    /* deleting a link or a folder is refused; the file outside is untouched */
    char link_real[FILES_PATH_MAX];
    snprintf(link_real, sizeof(link_real), "%s/escape", root);
    CHECK_EQ_INT(files_delete(link_real), FILES_NOT_A_FILE);
    struct stat st;
    CHECK_EQ_INT(stat(outside, &st), 0);
    CHECK_EQ_INT(st.st_size, 6);

    uint8_t digest[32];
    uint64_t size = 0;
    files_resolve(&f, "/sdcard/examples/test.264", false, real, sizeof(real));
    CHECK_EQ_INT(files_checksum(real, digest, &size), FILES_OK);
    CHECK_EQ_INT(size, 3);
    CHECK_EQ_INT(files_delete(real), FILES_OK);
    CHECK_EQ_INT(resolve(&f, "/sdcard/examples/test.264", false), FILES_NOT_FOUND);

    /* Found by fuzz_session: FILE_READ or FILE_CHECKSUM of a FIFO waited forever for a writer. */
    snprintf(path, sizeof(path), "%s/fifo", root);
    CHECK_EQ_INT(mkfifo(path, 0644), 0);
    alarm(10); /* a regression blocks: let the alarm fail the test instead of hanging it */
    files_resolve(&f, "/sdcard/fifo", false, real, sizeof(real));
    enum files_status_e why = FILES_OK;
    CHECK_EQ_INT(files_open_read(real, &why), -1);
    CHECK_EQ_INT(why, FILES_NOT_A_FILE);
    CHECK_EQ_INT(files_checksum(real, digest, &size), FILES_NOT_A_FILE);
    files_resolve(&f, "/sdcard/examples", false, real, sizeof(real));
    CHECK_EQ_INT(files_open_read(real, &why), -1);
    CHECK_EQ_INT(why, FILES_NOT_A_FILE);
    alarm(0);

    /* A full card: /dev/full answers every write with ENOSPC (the unit tests cannot fill a real file system). */
    int full = open("/dev/full", O_WRONLY);
    if (full >= 0) {
        CHECK_EQ_INT(files_write_at(full, 0, (const uint8_t *)"data", 4), FILES_NO_SPACE);
        close(full);
    } else {
        printf("test_files: no /dev/full, the full card is not checked\n");
    }

    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
    CHECK_EQ_INT(system(cmd), 0);
    return check_report("test_files");
}
