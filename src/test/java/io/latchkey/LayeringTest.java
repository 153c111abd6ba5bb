package io.latchkey;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The layering of the packages: the domain (users, keys, clients, tokens, the cluster feed, configuration,
 * operations, errors) knows nothing of HTTP; the edges (web, session, gateway, admin) build on it, never the reverse.
 */
class LayeringTest {

    private static final String[] DOMAIN = {"io.latchkey.user..", "io.latchkey.key..", "io.latchkey.client..",
        "io.latchkey.token..", "io.latchkey.cluster..", "io.latchkey.config..", "io.latchkey.ops..",
        "io.latchkey.error..", "io.latchkey.common.."};
    private static final String[] EDGES = {"io.latchkey.web..", "io.latchkey.session..", "io.latchkey.gateway..",
        "io.latchkey.admin.."};

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.latchkey");

    @Test
    void domainDoesNotDependOnTheWebLayer() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                .should().dependOnClassesThat().resideInAnyPackage(EDGES)
                .check(MAIN);
    }

    @Test
    void domainDoesNotUseHttpTypes() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                .should().dependOnClassesThat().resideInAnyPackage("jakarta.ws.rs..", "io.vertx.core.http..",
                        "io.vertx.ext.web..")
                .check(MAIN);
    }

    /**
     * Queries are native SQL: the first HQL query loads Hibernate's HQL parser (ANTLR and the semantic model's
     * builders), a tenth of a start's CPU and thousands of classes.
     */
    @Test
    void queriesAreNativeSql() {
        noClasses().should().callMethodWhere(describe("an HQL or criteria query", (JavaCall<?> call) ->
                        call.getTargetOwner().getPackageName().matches("(jakarta\\.persistence|org\\.hibernate)(\\..*)?")
                                && call.getName().matches("create(Query|SelectionQuery|MutationQuery|NamedQuery)"
                                        + "|getCriteriaBuilder")))
                .check(MAIN);
    }

    @Test
    void packagesFormNoCycle() {
        slices().matching("io.latchkey.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
