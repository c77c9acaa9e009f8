package dev.gannet.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point one way: server -> model-runtime -> kv-cache, model-runtime -> panama-bindings;
 * router and loadtest speak only the wire protocol and depend on no engine module; and no two packages
 * anywhere depend on each other, directly or around a loop.
 */
class ModuleDependencyTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importAll() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.gannet");
    }

    @Test
    void kvCacheKnowsOnlyIds() {
        noClasses().that().resideInAPackage("dev.gannet.kv..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.gannet.runtime..", "dev.gannet.server..",
                        "dev.gannet.cuda..", "dev.gannet.router..", "dev.gannet.loadtest..")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void bindingsDependOnNoGannetModule() {
        noClasses().that().resideInAPackage("dev.gannet.cuda..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.gannet.runtime..", "dev.gannet.server..",
                        "dev.gannet.kv..", "dev.gannet.router..", "dev.gannet.loadtest..")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void runtimeDoesNotReachUp() {
        noClasses().that().resideInAPackage("dev.gannet.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.gannet.server..", "dev.gannet.router..",
                        "dev.gannet.loadtest..")
                .allowEmptyShould(true)
                .check(classes);
    }

    @Test
    void routerAndLoadtestSpeakOnlyTheWireProtocol() {
        noClasses().that().resideInAnyPackage("dev.gannet.router..", "dev.gannet.loadtest..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.gannet.runtime..", "dev.gannet.server..",
                        "dev.gannet.kv..", "dev.gannet.cuda..")
                .allowEmptyShould(true)
                .check(classes);
    }

    /**
     * The chat-template interpreter runs templates from model files: it uses plain data and the JDK's
     * collections, never reflection, and nothing of the engine (the CLI and the server both use it).
     */
    @Test
    void templateInterpreterIsSelfContainedAndReflectionFree() {
        classes().that().resideInAPackage("dev.gannet.runtime.template..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java.lang", "java.util..", "java.math..",
                        "java.time..", "com.fasterxml.jackson..", "dev.gannet.runtime.template..")
                .check(classes);
    }

    /** Tool-call parsing and grammars are text work: they know constraints, not the engine, tokenizer or server. */
    @Test
    void toolCallPackageKnowsOnlyConstraints() {
        classes().that().resideInAPackage("dev.gannet.runtime.toolcall..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java.lang..", "java.util..",
                        "com.fasterxml.jackson..", "dev.gannet.runtime.constraint..", "dev.gannet.runtime.toolcall..")
                .check(classes);
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        slices().matching("dev.gannet.(**)").should().beFreeOfCycles().check(classes);
    }
}
