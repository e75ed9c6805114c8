import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.deidentifier.arx.ARXAnonymizer;
import org.deidentifier.arx.ARXConfiguration;
import org.deidentifier.arx.ARXResult;
import org.deidentifier.arx.AttributeType.Hierarchy;
import org.deidentifier.arx.Data;
import org.deidentifier.arx.criteria.KAnonymity;
import org.deidentifier.arx.metric.Metric;

/**
 * Issue 10's job in ARX, as one JVM process (benchmarks/whole_process.py --arx runs it beside
 * `unlinkable anonymize`): read the stacked adult CSV, k-anonymity k=500, 5% suppression, Loss,
 * the 9 quasi-identifiers with ARX's hierarchies, write the released CSV.
 *
 * Usage: java -cp ARX_CLASSES:ARX_JARS:. Whole HIERARCHY_FOLDER INPUT.csv OUTPUT.csv
 */
public class Whole {
    public static void main(String[] args) throws Exception {
        String hierarchies = args[0], input = args[1], output = args[2];
        Data data = Data.create(input, StandardCharsets.UTF_8, ';');
        String[] quasiIdentifiers = {"sex", "age", "race", "marital-status", "education", "native-country",
                                     "workclass", "occupation", "salary-class"};
        for (String q : quasiIdentifiers) {
            data.getDefinition().setAttributeType(q, Hierarchy.create(hierarchies + "/adult_hierarchy_" + q + ".csv",
                                                                      StandardCharsets.UTF_8, ';'));
        }
        ARXConfiguration config = ARXConfiguration.create();
        config.addPrivacyModel(new KAnonymity(500));
        config.setSuppressionLimit(0.05d);
        config.setQualityModel(Metric.createLossMetric());
        ARXResult result = new ARXAnonymizer().anonymize(data, config);
        result.getOutput(false).save(output, ';');
        System.out.println(Arrays.toString(result.getGlobalOptimum().getTransformation()) + " "
                           + result.getGlobalOptimum().getHighestScore());
    }
}
