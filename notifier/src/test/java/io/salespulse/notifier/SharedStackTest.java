package io.salespulse.notifier;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Test classes whose tests share one Kafka broker and one ClickHouse engine with the migrations applied. */
abstract class SharedStackTest {
    @TempDir
    static Path dir;
    static NotifierTestStack stack;

    @BeforeAll
    static void startStack() throws Exception {
        stack = NotifierTestStack.start(dir);
    }

    @AfterAll
    static void stopStack() {
        stack.close();
    }
}
