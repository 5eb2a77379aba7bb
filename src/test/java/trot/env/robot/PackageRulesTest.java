package trot.env.robot;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/** The robot environment stands on the link and the task's definitions only: never on the learner or the runtime. */
@AnalyzeClasses(packages = "trot", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageRulesTest {
    @ArchTest
    static final ArchRule robotUsesOnlyTheLinkAndTheEnvironment = classes().that().resideInAPackage("trot.env.robot..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("trot.env..", "trot.link..", "java..")
            .because("the real robot is an Environment over trot.link: it must not know the learner, the trainer,"
                    + " the runtime or the command line");
}
