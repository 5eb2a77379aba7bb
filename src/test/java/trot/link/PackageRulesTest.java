package trot.link;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** trot.link knows nothing of learning or of the simulator: the robot link must stand alone. */
@AnalyzeClasses(packages = "trot", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageRulesTest {
    @ArchTest
    static final ArchRule linkKnowsNothingOfLearning = noClasses().that().resideInAPackage("trot.link..")
            .should().dependOnClassesThat().resideInAnyPackage("trot.agent..", "trot.nn..", "trot.replay..", "trot.train..",
                    "trot.env..", "trot.blas..", "trot.io..", "trot.cli..")
            .because("trot.link is the robot's wire protocol: it must not depend on learning, simulation or the CLI");

    @ArchTest
    static final ArchRule onlyTheCommandLineUsesTheLink = noClasses().that().resideInAnyPackage("trot.agent..", "trot.nn..",
                    "trot.replay..", "trot.blas..")
            .should().dependOnClassesThat().resideInAPackage("trot.link..");
}
