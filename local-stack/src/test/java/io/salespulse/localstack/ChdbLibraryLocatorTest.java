package io.salespulse.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChdbLibraryLocatorTest {

    @TempDir
    Path tmp;

    @Test
    void findsTheInstalledLibrary() {
        Path lib = ChdbLibraryLocator.locate();
        assertThat(lib).isRegularFile();
        assertThat(lib.getFileName()).hasToString("libchdb.so");
    }

    @Test
    void missingLibraryNamesTheWayOut() {
        assumeTrue(System.getenv(ChdbLibraryLocator.ENV) == null, "explicit library set in the environment");
        System.setProperty(ChdbLibraryLocator.PROPERTY, tmp.resolve("nowhere/libchdb.so").toString());
        try {
            assertThatThrownBy(ChdbLibraryLocator::locate)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("SALESPULSE_CHDB_LIB")
                    .hasMessageContaining("bin/install-chdb");
        } finally {
            System.clearProperty(ChdbLibraryLocator.PROPERTY);
        }
        assertThat(ChdbLibraryLocator.findLib(tmp)).isEmpty();
    }

    @Test
    void searchesThePackageDirectoryRecursively() throws Exception {
        Path deep = Files.createDirectories(tmp.resolve("pkg/a/b"));
        Files.writeString(deep.resolve("libchdb.so"), "");
        assertThat(ChdbLibraryLocator.findLib(tmp.resolve("pkg"))).hasValue(deep.resolve("libchdb.so"));
    }
}
