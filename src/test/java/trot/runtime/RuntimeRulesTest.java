package trot.runtime;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** trot.runtime sits above env and agent and below train and cli. */
@AnalyzeClasses(packages = "trot", importOptions = ImportOption.DoNotIncludeTests.class)
class RuntimeRulesTest {
    @ArchTest
    static final ArchRule runtimeKnowsNothingAboveIt = noClasses().that().resideInAPackage("trot.runtime..")
            .should().dependOnClassesThat().resideInAnyPackage("trot.train..", "trot.cli..", "trot.link..", "trot.io..")
            .because("the runtime is the loop's machinery; training, commands and the wire sit above or beside it");

    @ArchTest
    static final ArchRule nothingBelowKnowsTheRuntime = noClasses().that().resideInAnyPackage("trot.env..", "trot.agent..",
                    "trot.nn..", "trot.replay..", "trot.blas..", "trot.link..")
            .should().dependOnClassesThat().resideInAPackage("trot.runtime..")
            .because("environments meet the runtime only through trot.env.Pacer and trot.env.RealTime");
}
