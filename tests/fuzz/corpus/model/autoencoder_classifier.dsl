# autoencoder_classifier: the trained encoder of models/autoencoder.dsl, then flatten, dense 64
# relu, dropout 0.7, dense 10 (the MNIST study: batch 512, 85 errors in 10,000). Train the
# autoencoder first, into the run directory named below:
#   gpufm train models/autoencoder.dsl --out runs/autoencoder
#   gpufm train models/autoencoder_classifier.dsl
# The encoder's layers are the autoencoder's, written out so that the file reads (and `gpufm
# summary` works) without the run; its trained weights come from the run when training starts
# (a block without layers would take them from the run too). Frozen for the first 20 epochs,
# then fine-tuned end to end for 10 at a tenth of the learning rate. Another run: --set encoder_run=DIR.
let encoder_run = "runs/autoencoder"

input 28x28x1

block encoder from $encoder_run frozen:
  conv2d 128 3x3 same relu
  batchnorm
  maxpool 2
  dropout 0.2
  conv2d 256 3x3 same relu
  batchnorm
  maxpool 2
  dropout 0.2

flatten
dense 64 relu
dropout 0.7
dense 10 softmax

train:
  loss crossentropy
  optimizer adam lr=0.001
  batch 512
  epochs 20
  validation 0.1
  fine_tune epochs=10 lr=0.0001
