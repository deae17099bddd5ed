package io.salespulse.cli;

import io.salespulse.contract.settings.SettingSpec;
import io.salespulse.contract.settings.SettingType;
import io.salespulse.localstack.ChdbLibraryLocator;
import io.salespulse.notifier.wecom.WeComStub;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * The command line's own variables, for docs/configuration.md: the JVM options of {@code bin/salespulse}, the
 * ClickHouse engine's library, the gateway address and token of {@code simulate --to gateway} and
 * {@code import}, and where the local WeCom stand-in listens. {@code ConfigurationDocTest} checks these against
 * the script and the commands' options that read them.
 */
final class CliSettings {
    static final SettingSpec<String> JAVA_OPTS = SettingSpec.envOnly("SALESPULSE_JAVA_OPTS", SettingType.optionalText(),
            "-Xmx1g", "JVM options of `bin/salespulse`; replaces the default");
    static final SettingSpec<Path> CHDB_LIB = SettingSpec.envOnly(ChdbLibraryLocator.ENV,
            SettingType.optionalPath(), "",
            "Path of a libchdb.so (the ClickHouse engine) to use instead of the one `bin/install-chdb` puts under .local/chdb");
    static final SettingSpec<URI> GATEWAY_URL = SettingSpec.envOnly("SALESPULSE_GATEWAY_URL",
            SettingType.httpUrl(), "http://127.0.0.1:8080", "Ingest gateway that `simulate --to gateway` and `import` post to")
            .withFlag("--gateway-url");
    static final SettingSpec<String> GATEWAY_TOKEN = SettingSpec.envOnly("SALESPULSE_GATEWAY_TOKEN", SettingType.optionalText(), "",
            "The tenant's token for `simulate --to gateway` and `import` (which also takes --token-file); "
                    + "prefer the environment to the flag")
            .withFlag("--gateway-token").asSecret();

    private CliSettings() {}

    static List<SettingSpec<?>> all() {
        return List.of(JAVA_OPTS, CHDB_LIB, GATEWAY_URL, GATEWAY_TOKEN, WeComStub.HOST, WeComStub.PORT);
    }
}
