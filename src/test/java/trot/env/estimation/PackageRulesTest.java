package trot.env.estimation;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/** The estimator is plain Java over its inputs: the simulated task and the real-robot environment both use it. */
@AnalyzeClasses(packages = "trot", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageRulesTest {
    @ArchTest
    static final ArchRule estimationStandsAlone = classes().that().resideInAPackage("trot.env.estimation..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("trot.env.estimation..", "java..")
            .because("the velocity estimator must not depend on the simulator, the link or the learner");
}
